import { InvalidArgumentError } from './errors';
import { entityId, entityInstanceId, isEntityInstanceId, parseEntityInstanceId } from './entity-id';
import { instanceIdProblem } from './instance-id';

describe('entity ids', () => {
  it('are stored as @name@key with the name in lower case', () => {
    expect(entityInstanceId({ name: 'Counter', key: 'My Key' })).toBe('@counter@My Key');
  });

  it('parse back, keeping an @ inside the key', () => {
    expect(parseEntityInstanceId('@account@a@b')).toEqual({ name: 'account', key: 'a@b' });
  });

  it('never collide with orchestration instance ids', () => {
    const id = entityInstanceId({ name: 'counter', key: 'x' });
    expect(isEntityInstanceId(id)).toBe(true);
    expect(instanceIdProblem(id)).toMatch(/reserved for entity ids/);
  });

  it.each([
    ['', 'k', /name must be a non-empty string/],
    ['a@b', 'k', /must not contain '@'/],
    ['a/b', 'k', /must not contain '\/'/],
    ['counter', '', /key must be a non-empty string/],
    ['counter', 'a\u0001', /control characters/],
    ['counter', 'k'.repeat(300), /at most 256/],
  ])('rejects name %j key %j', (name, key, reason) => {
    expect(() => entityId(name, key)).toThrow(InvalidArgumentError);
    expect(() => entityId(name, key)).toThrow(reason);
  });

  it('rejects instance ids that are not entity ids', () => {
    expect(() => parseEntityInstanceId('order-1')).toThrow(InvalidArgumentError);
    expect(() => parseEntityInstanceId('@noKey')).toThrow(InvalidArgumentError);
  });
});
