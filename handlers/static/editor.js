// Copy an unanswered message to the clipboard, to paste into a topic file by hand.
document.querySelectorAll('button.copy').forEach(function (button) {
  button.addEventListener('click', function () {
    const text = button.dataset.text || '';
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { button.textContent = 'Copied'; });
  });
});
