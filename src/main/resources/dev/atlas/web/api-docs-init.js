// Swagger UI for Atlas: the document next to this script, bearer tokens kept for the page's life only.
(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, "");
  window.addEventListener("load", function () {
    window.ui = SwaggerUIBundle({
      url: base + "openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: false,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl],
      layout: "StandaloneLayout"
    });
  });
})();
