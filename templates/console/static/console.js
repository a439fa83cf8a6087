// The console's only script: small conveniences on top of pages that work without it.
// - A sign-in page continues by itself (the button stays for browsers without JavaScript).
// - The inbox refreshes its list every 10 seconds, so new hand-offs appear without reloading.
// - Buttons marked data-confirm ask once more before a destructive form is sent.
(function () {
  "use strict";

  function autoSubmit() {
    var form = document.querySelector("form[data-auto-submit]");
    if (form) form.submit();
  }

  function liveInbox() {
    var list = document.getElementById("inbox-list");
    if (!list || !window.fetch) return;
    var status = document.getElementById("inbox-live");
    var url = list.getAttribute("data-source");
    var busy = false;
    function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) {
          if (r.status === 200) return r.text();
          throw new Error(String(r.status));
        })
        .then(function (html) {
          var before = list.getAttribute("data-ids") || "";
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#inbox-list");
          if (!fresh) return;
          var after = fresh.getAttribute("data-ids") || "";
          list.innerHTML = fresh.innerHTML;
          list.setAttribute("data-ids", after);
          var count = document.getElementById("inbox-count");
          var freshCount = holder.querySelector("#inbox-count");
          if (count && freshCount) count.textContent = freshCount.textContent;
          if (status) {
            var added = after.split(",").filter(function (id) { return id && before.split(",").indexOf(id) < 0; }).length;
            var now = new Date();
            var hm = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
            status.textContent = added > 0 ? "Có " + added + " hội thoại mới (cập nhật " + hm + ")." : "Tự cập nhật lúc " + hm + ".";
          }
        })
        .catch(function () {
          if (status) status.textContent = "Không cập nhật được danh sách; tải lại trang để thử lại.";
        })
        .then(function () { busy = false; });
    }
    if (status) status.textContent = "Danh sách tự cập nhật mỗi 10 giây.";
    setInterval(refresh, 10000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }

  function confirmButtons() {
    document.addEventListener("submit", function (e) {
      var btn = e.submitter || (e.target && e.target.querySelector("[data-confirm]"));
      var text = btn && btn.getAttribute && btn.getAttribute("data-confirm");
      if (text && !window.confirm(text)) e.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autoSubmit();
    liveInbox();
    confirmButtons();
  });
})();
