// Conveniences only: the page works without this script.
(function () {
  "use strict";

  // Facet filter boxes: narrow the visible values; ask the server for values
  // the page does not show (prefix, case-, ё- and transliteration-insensitive).
  document.querySelectorAll(".facet-filter").forEach(function (input) {
    var section = input.closest(".facet");
    var name = input.dataset.facet;
    var extra = document.createElement("ul");
    extra.className = "values extra";
    section.appendChild(extra);
    var timer = null;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase().replace(/ё/g, "е");
      section.querySelectorAll(".values li").forEach(function (li) {
        if (li.parentNode === extra) return;
        var text = li.textContent.toLowerCase().replace(/ё/g, "е");
        li.hidden = needle !== "" && text.indexOf(needle) === -1 && !li.querySelector(".selected");
      });
      clearTimeout(timer);
      extra.textContent = "";
      if (needle.length < 2) return;
      timer = setTimeout(function () {
        fetch("/api/facets/" + encodeURIComponent(name) + "?prefix=" + encodeURIComponent(input.value))
          .then(function (r) { return r.ok ? r.json() : { values: [] }; })
          .then(function (data) {
            var shown = {};
            section.querySelectorAll(".fv").forEach(function (a) { if (!a.closest("li").hidden) shown[a.dataset.value] = true; });
            data.values.forEach(function (v) {
              if (shown[v.value]) return;
              var params = new URLSearchParams(input.dataset.state);
              params.append(name, v.value);
              params.delete("page");
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.className = "fv";
              a.href = "?" + params.toString();
              a.textContent = v.label + " (" + v.count + ")";
              li.appendChild(a);
              extra.appendChild(li);
            });
          });
      }, 150);
    });
  });

  // Autocomplete for the search box, through a <datalist>.
  var q = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (q && list) {
    var pending = null;
    q.addEventListener("input", function () {
      clearTimeout(pending);
      var words = q.value.split(/\s+/);
      var last = words[words.length - 1];
      if (last.length < 2) { list.textContent = ""; return; }
      pending = setTimeout(function () {
        fetch(q.dataset.suggest + "?q=" + encodeURIComponent(last))
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.textContent = "";
            var head = words.slice(0, -1).join(" ");
            data.suggestions.slice(0, 10).forEach(function (s) {
              var option = document.createElement("option");
              var value = s.kind === "word" ? s.value : s.kind + ':"' + s.value + '"';
              option.value = (head ? head + " " : "") + value;
              if (s.label) option.label = s.label;
              list.appendChild(option);
            });
          });
      }, 120);
    });
  }
})();
