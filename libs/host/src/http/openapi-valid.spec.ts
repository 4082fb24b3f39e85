// The OpenAPI document checked by a real validator (@apidevtools/swagger-parser: the OpenAPI 3.0
// schema plus reference resolution), so tools and fuzzers can read it.
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiDocument } from './openapi';

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.0 document', async () => {
    const doc = structuredClone(openApiDocument('http://127.0.0.1:7071')) as never;
    await expect(SwaggerParser.validate(doc)).resolves.toMatchObject({ openapi: '3.0.3' });
  });

  it('describes the error body and the auth answers of every operation that needs a role', () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
        if (
          !isPublic &&
          (operation.responses['401'] === undefined || operation.responses['403'] === undefined)
        )
          if (!path.endsWith('/auth/whoami')) missing.push(`${method} ${path}`);
      }
    expect(missing).toEqual([]);
  });
});
