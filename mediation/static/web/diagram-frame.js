// Runs in diagram-frame.html, whose policy allows inline styles: draws a Mermaid source for the
// case page (case.js) and hands it over without any — its <style> rules as text, each style
// attribute moved to data-style — so that the page can take it under its own policy.
window.drawDiagram = function (source) {
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
  return window.mermaid.render("case-diagram", source).then(function (result) {
    var holder = document.createElement("div");
    holder.innerHTML = result.svg;
    var svg = holder.querySelector("svg");
    var rules = [];
    svg.querySelectorAll("style").forEach(function (element) {
      rules.push(element.textContent);
      element.remove();
    });
    [svg].concat(Array.prototype.slice.call(svg.querySelectorAll("[style]"))).forEach(function (element) {
      if (!element.hasAttribute("style")) return;
      element.setAttribute("data-style", element.getAttribute("style"));
      element.removeAttribute("style");
    });
    return { svg: svg, rules: rules.join("\n") };
  });
};
