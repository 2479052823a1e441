// Rows a person may add and remove: the intake form's parties and a session record's participants.
// A container marked data-rows holds rows marked data-row; the server names each row's inputs with
// its number (parties[2].name, data.participants[2].name), and so does this script for a new row,
// copied from the last one and emptied. Without this script the server's empty rows are there to fill.
(function () {
  function renumber(element, from, to) {
    ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
      var value = element.getAttribute(attribute);
      if (!value) return;
      element.setAttribute(attribute, value.split("[" + from + "]").join("[" + to + "]")
        .split("-" + from + "-").join("-" + to + "-"));
    });
  }

  // "参加人员 2 · 姓名", "当事人 2": the row's number in its labels and legend, in their first text.
  function relabel(row, from, to) {
    var number = new RegExp("(^|\\D)" + (from + 1) + "(?!\\d)");
    row.querySelectorAll("label, legend").forEach(function (element) {
      var text = element.firstChild;
      if (text && text.nodeType === 3) text.nodeValue = text.nodeValue.replace(number, "$1" + (to + 1));
    });
  }

  function removeButton(container, row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "remove-row";
    button.textContent = container.getAttribute("data-remove-label");
    button.addEventListener("click", function () {
      if (container.querySelectorAll("[data-row]").length > 1) row.remove();
    });
    row.appendChild(button);
  }

  function add(container) {
    var rows = container.querySelectorAll("[data-row]");
    var last = rows[rows.length - 1];
    var from = Number(last.getAttribute("data-index") || rows.length - 1);
    var to = Math.max.apply(null, Array.prototype.map.call(rows, function (row, i) {
      return Number(row.getAttribute("data-index") || i);
    })) + 1;
    var row = last.cloneNode(true);
    row.setAttribute("data-index", String(to));
    row.querySelectorAll(".remove-row, .error").forEach(function (element) { element.remove(); });
    row.querySelectorAll("*").forEach(function (element) {
      renumber(element, from, to);
      element.removeAttribute("aria-invalid");
      if (element.classList) element.classList.remove("has-error");
    });
    row.querySelectorAll("input, textarea").forEach(function (input) {
      if (input.type === "checkbox") input.checked = false; else if (input.type !== "hidden") input.value = "";
    });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    relabel(row, from, to);
    last.after(row);
    removeButton(container, row);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  document.querySelectorAll("[data-rows]").forEach(function (container) {
    container.querySelectorAll("[data-row]").forEach(function (row, i) {
      if (!row.hasAttribute("data-index")) row.setAttribute("data-index", String(i));
      removeButton(container, row);
    });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "add-row";
    button.textContent = container.getAttribute("data-add-label");
    button.addEventListener("click", function () { add(container); });
    container.after(button);
  });
})();
