// The case page's state diagram. Mermaid (vendored, 3.5 MB) is loaded only when the diagram is
// opened, so the page itself stays light on a modest PC. It draws in a frame of its own
// (diagram-frame.html): its drawing uses inline styles, which this page's Content-Security-Policy
// refuses. The drawing comes over without them, and they are put back here as a constructed style
// sheet and as CSSOM properties, neither of which the policy forbids.
(function () {
  var box = document.getElementById("diagram");
  if (!box) return;
  var started = false;

  function place(target, drawing) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(drawing.rules);
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    var svg = document.importNode(drawing.svg, true);
    [svg].concat(Array.prototype.slice.call(svg.querySelectorAll("[data-style]"))).forEach(function (element) {
      if (!element.hasAttribute("data-style")) return;
      element.style.cssText = element.getAttribute("data-style");
      element.removeAttribute("data-style");
    });
    target.textContent = "";
    target.appendChild(svg);
    readable(target, svg);
  }

  // Mermaid fits the drawing to its box, which on a phone shrinks the words to nothing. Drawn at
  // its own size, or narrowed at most to three quarters (Mermaid's 16 px text stays 12 px or more),
  // it scrolls sideways in its box instead.
  function readable(target, svg) {
    var view = svg.viewBox && svg.viewBox.baseVal;
    if (!view || !view.width) return;
    var scale = Math.max(0.75, Math.min(1, target.clientWidth / view.width));
    svg.removeAttribute("width");
    svg.style.maxWidth = "none";
    svg.style.width = Math.ceil(view.width * scale) + "px";
    svg.style.height = Math.ceil(view.height * scale) + "px";
    var current = svg.querySelector(".current");  // the case's state in sight, however far it scrolls
    if (current) {
      var node = current.getBoundingClientRect(), frame = target.getBoundingClientRect();
      target.scrollLeft += node.left - frame.left - (frame.width - node.width) / 2;
    }
  }

  box.addEventListener("toggle", function () {
    if (!box.open || started) return;
    started = true;
    var target = box.querySelector(".mermaid");
    var frame = document.createElement("iframe");
    frame.className = "diagram-frame";
    frame.title = box.querySelector("summary").textContent;
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.addEventListener("load", function () {
      frame.contentWindow.drawDiagram(target.textContent).then(function (drawing) {
        place(target, drawing);
        frame.remove();
        box.setAttribute("data-rendered", "true");
      });
    });
    frame.src = box.getAttribute("data-frame");
    document.body.appendChild(frame);
  });
})();
