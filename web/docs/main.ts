import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';

/** The API reference: Swagger UI, bundled (no CDN, no inline script), on the API's own document. */
SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The API needs a bearer token; "Try it out" works with one pasted into Authorize.
  tryItOutEnabled: false,
});
