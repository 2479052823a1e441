// The case page's upload form with a progress bar: the file goes by XMLHttpRequest, whose upload
// events tell how much has been sent. The server answers this script in JSON (the header below):
// where to go when the file is stored, or why it was refused. Without this script the form posts
// as any form does and the server answers with the case page.
(function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var bar = document.getElementById("upload-progress");
  var percent = document.getElementById("upload-percent");
  var status = document.getElementById("upload-status");
  var button = form.querySelector("button[type=submit]");

  function show(done) {
    var value = Math.max(0, Math.min(100, Math.round(done)));
    bar.value = value;
    bar.textContent = value + "%";
    percent.textContent = value + "%";
    form.setAttribute("data-progress", String(value));
  }

  function fail(text) {
    status.textContent = text || form.getAttribute("data-failed");
    status.className = "alert";
    status.hidden = false;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.hidden = true;
    button.disabled = true;
    bar.parentNode.hidden = false;
    show(0);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Upload-Progress", "1");
    request.responseType = "json";
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show(e.loaded * 100 / e.total);
    });
    request.upload.addEventListener("load", function () { show(100); });
    request.addEventListener("load", function () {
      var answer = request.response || {};
      if (request.status === 201 && answer.location) {
        show(100);
        form.setAttribute("data-uploaded", "true");
        window.location.assign(answer.location);
      } else {
        fail(answer.error);
      }
    });
    request.addEventListener("error", function () { fail(); });
    request.send(new FormData(form));
  });
})();
