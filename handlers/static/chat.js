// The web page as a channel: talk to the bot, and see a worker's replies appear by themselves.
// Everything shown is set with textContent only.
const log = document.getElementById('log');
function add(text, who, extra) {
  const li = document.createElement('li');
  li.className = who + (extra && extra.emergency ? ' alarm' : '');
  if (who === 'staff') {
    const from = document.createElement('span');
    from.className = 'from'; from.textContent = 'A worker';
    li.appendChild(from);
    li.appendChild(document.createTextNode(text));
  } else {
    li.textContent = text;
  }
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
    credentials: 'same-origin', body: JSON.stringify({text: text, channel: document.getElementById('channel').value})});
  const data = await res.json();
  add([data.reply].concat(data.followups || []).join('\n\n') || data.error || '(no reply)', 'bot', data.error ? null : data);
  if (data.kind === 'delete') seen = 0;
}
document.getElementById('send').addEventListener('submit', e => {
  e.preventDefault();
  const input = document.getElementById('text');
  if (!input.value.trim()) return;
  send(input.value); input.value = '';
});
document.getElementById('ask-person').addEventListener('click', () => send('STAFF'));

// A worker's replies: ask every few seconds for what this page has not shown yet.
let seen = 0;
async function poll() {
  try {
    const res = await fetch('/chat/updates?seen=' + seen, {credentials: 'same-origin', cache: 'no-store'});
    if (res.ok) {
      const data = await res.json();
      data.messages.forEach(m => add(m.text, 'staff'));
      seen = data.seen;
    }
  } catch (err) { /* offline for a moment: the next poll catches up */ }
}
poll();
setInterval(poll, 3000);
