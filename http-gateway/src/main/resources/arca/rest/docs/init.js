// The API page: Swagger UI over the node's own description. "Try it out" sends requests from this page to this
// node; sign in with "Authorize" and an access token from POST /oidc/oauth2/token.
window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: "/a/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
