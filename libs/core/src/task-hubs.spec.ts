import { InvalidArgumentError, TaskHubNotFoundError, TaskHubs } from './index';

describe('TaskHubs', () => {
  const hubs = new TaskHubs('orders', [
    ['orders', 1],
    ['Billing', 2],
  ]);

  it('gives the default hub to a request that names none', () => {
    expect(hubs.resolve(undefined)).toEqual({ name: 'orders', value: 1 });
  });

  it('finds a hub by name in any case, under the name it was configured with', () => {
    expect(hubs.resolve('billing')).toEqual({ name: 'Billing', value: 2 });
    expect(hubs.resolve('ORDERS')).toEqual({ name: 'orders', value: 1 });
  });

  it('refuses a hub it does not serve, naming the ones it does', () => {
    expect(() => hubs.resolve('shipping')).toThrow(TaskHubNotFoundError);
    expect(() => hubs.resolve('shipping')).toThrow(
      "task hub 'shipping' is not served here (served: orders, Billing)",
    );
  });

  it('refuses a name no hub can have as invalid input', () => {
    expect(() => hubs.resolve('no such/hub')).toThrow(InvalidArgumentError);
    expect(() => hubs.resolve('')).toThrow(InvalidArgumentError);
  });

  it('refuses a hub listed twice and a default hub that is not served', () => {
    expect(
      () =>
        new TaskHubs('a', [
          ['a', 1],
          ['A', 2],
        ]),
    ).toThrow("task hub 'A' is listed twice");
    expect(() => new TaskHubs('b', [['a', 1]])).toThrow(
      "the default task hub 'b' is not among the hubs served",
    );
  });

  it('tells the default hub apart without case', () => {
    expect(hubs.isDefault('ORDERS')).toBe(true);
    expect(hubs.isDefault('billing')).toBe(false);
    expect(hubs.names).toEqual(['orders', 'Billing']);
  });
});
