// Starts Swagger UI on /api/docs. A file of its own, not an inline script: gdcat's pages
// allow only scripts served by gdcat (Content-Security-Policy script-src 'self').
"use strict";
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
