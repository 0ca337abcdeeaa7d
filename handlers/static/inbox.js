// Refresh the conversation list every few seconds. Built with textContent only: texter words
// and pseudonyms are never treated as HTML.
(function () {
  const table = document.getElementById('conversations');
  if (!table) return;
  const body = table.querySelector('tbody');
  function cell(row, text, label) {
    const td = document.createElement('td'); td.textContent = text; if (label) td.dataset.label = label;
    row.appendChild(td); return td;
  }
  async function refresh() {
    const res = await fetch(table.dataset.source, {credentials: 'same-origin'});
    if (res.status === 401) { window.location = '/login'; return; }
    if (!res.ok) return;
    const data = await res.json();
    body.replaceChildren();
    if (!data.conversations.length) {
      const tr = document.createElement('tr'); tr.className = 'empty';
      const td = cell(tr, 'Nothing waiting.'); td.colSpan = 5; body.appendChild(tr); return;
    }
    for (const c of data.conversations) {
      const tr = document.createElement('tr');
      tr.dataset.id = c.id;
      if (c.urgent) tr.className = 'urgent';
      const who = document.createElement('td'); who.dataset.label = 'Who'; const a = document.createElement('a');
      a.href = '/inbox/c/' + encodeURIComponent(c.id); a.textContent = c.pseudonym; who.appendChild(a); tr.appendChild(who);
      const why = document.createElement('td'); why.dataset.label = 'Why';
      if (c.urgent) { const b = document.createElement('span'); b.className = 'badge'; b.textContent = c.reason; why.appendChild(b); }
      else why.textContent = c.reason;
      tr.appendChild(why);
      const channel = cell(tr, c.channel, 'Channel');
      if (c.window_closes) {
        const w = document.createElement('small'); w.className = 'window';
        w.textContent = ' ' + (c.window_open ? 'reply by ' : 'window closed ') + c.window_closes;
        channel.appendChild(w);
      }
      cell(tr, c.age_minutes + ' min', 'Waiting');
      cell(tr, c.status + (c.claimed_by ? ' (' + c.claimed_by + ')' : ''), 'Status');
      body.appendChild(tr);
    }
  }
  setInterval(refresh, 3000);
})();
