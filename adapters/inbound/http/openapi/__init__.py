"""The OpenAPI document: Litestar's generated paths and request bodies, completed with every
operation's summary, description, responses (the envelope and its `data`), enums and examples,
and Swagger UI served from the swagger-ui-bundle package so `/docs` works offline."""
