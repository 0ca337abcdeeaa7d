// Keep the transcript current and let a canned reply fill the box. textContent only.
(function () {
  const list = document.getElementById('transcript');
  const canned = document.getElementById('canned');
  const box = document.getElementById('reply-text');
  if (canned && box) {
    canned.addEventListener('change', function () {
      const opt = canned.options[canned.selectedIndex];
      if (opt && opt.dataset.text) box.value = opt.dataset.text;
    });
  }
  if (!list) return;
  async function refresh() {
    const res = await fetch(list.dataset.source, {credentials: 'same-origin'});
    if (res.status === 401) { window.location = '/login'; return; }
    if (!res.ok) return;
    const data = await res.json();
    if (data.messages.length === list.children.length) return;
    list.replaceChildren();
    for (const m of data.messages) {
      const li = document.createElement('li'); li.className = m.who.split(':')[0];
      const from = document.createElement('span'); from.className = 'from'; from.textContent = m.who + ' · ' + m.time;
      const text = document.createElement('span'); text.className = 'text'; text.textContent = m.text;
      li.appendChild(from); li.appendChild(text); list.appendChild(li);
    }
  }
  setInterval(refresh, 3000);
})();
