// The API documentation page (/api/v1/docs): Swagger UI on the OpenAPI document.
// A file of its own, because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // Never send the spec to a validator on another site.
    validatorUrl: null,
  });
})();
