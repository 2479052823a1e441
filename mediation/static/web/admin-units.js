// The unit form's parent chooser offers only the units a unit of the chosen kind may sit under
// (county: none; town: a county; community: a town; grid: a community; station, department, court:
// a county or a town). The server checks the same rule whatever is sent.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.getElementById("kind");
  const parent = document.getElementById("parent");
  if (!kind || !parent || !kind.options.length) return;
  const fit = () => {
    const chosen = kind.options[kind.selectedIndex];
    const allowed = (chosen && chosen.dataset.parents || "").split(" ");
    let firstAllowed = null;
    for (const option of parent.options) {
      const ok = allowed.includes(option.dataset.kind);
      option.disabled = !ok;
      option.hidden = !ok;
      if (ok && firstAllowed === null) firstAllowed = option;
    }
    const current = parent.options[parent.selectedIndex];
    if ((!current || current.disabled) && firstAllowed) firstAllowed.selected = true;
  };
  kind.addEventListener("change", fit);
  fit();
});
