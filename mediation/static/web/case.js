// The case page's state diagram: mermaid (vendored, 3.5 MB) is loaded only when the
// diagram is opened, so the page itself stays light on a modest PC.
(function () {
  var box = document.getElementById("diagram");
  if (!box) return;
  var started = false;
  box.addEventListener("toggle", function () {
    if (!box.open || started) return;
    started = true;
    var script = document.createElement("script");
    script.src = box.getAttribute("data-src");
    script.onload = function () {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
      window.mermaid.run({ nodes: box.querySelectorAll(".mermaid") }).then(function () {
        box.setAttribute("data-rendered", "true");
      });
    };
    document.head.appendChild(script);
  });
})();
