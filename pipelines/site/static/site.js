// Render every chart of the page: its Vega-Lite spec is the JSON script named by data-spec.
(function () {
  "use strict";
  document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    vegaEmbed(el, spec, { actions: false, renderer: "svg" })
      .then(function () { el.dataset.rendered = "true"; })
      .catch(function (err) { el.dataset.rendered = "error"; console.error(err); });
  });
})();
