// The try-it page: talk to the bot as a texter would. Replies are shown with textContent only.
const log = document.getElementById('log');
function add(text, who, extra) {
  const li = document.createElement('li');
  li.className = who + (extra && extra.emergency ? ' alarm' : '');
  li.textContent = text;
  if (extra) {
    const meta = document.createElement('small');
    meta.textContent = 'topic: ' + (extra.topic || 'none') + ' - confidence ' + extra.confidence + (extra.emergency ? ' - EMERGENCY' : '');
    li.appendChild(meta);
    if (extra.choices && extra.choices.length) {
      const box = document.createElement('div');
      box.className = 'choices';
      extra.choices.forEach(c => {
        const b = document.createElement('button');
        b.type = 'button'; b.textContent = c.number + ' ' + c.title;
        b.addEventListener('click', () => send(String(c.number)));
        box.appendChild(b);
      });
      li.appendChild(box);
    }
  }
  log.appendChild(li);
  li.scrollIntoView();
}
async function send(text) {
  add(text, 'you');
  const res = await fetch('/chat', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({text: text, channel: document.getElementById('channel').value})});
  const data = await res.json();
  add([data.reply].concat(data.followups || []).join('\n\n') || data.error || '(no reply)', 'bot', data.error ? null : data);
}
document.getElementById('send').addEventListener('submit', e => {
  e.preventDefault();
  const input = document.getElementById('text');
  if (!input.value.trim()) return;
  send(input.value); input.value = '';
});
