/**
 * Makes a preview Apex method usable like the platform's cacheable Apex: callable imperatively, and as a
 * wire adapter (`@wire(getLeadScore, { leadId: '$recordId' })`), with refreshApex re-reading a wired value.
 */
const adapterOfValue = new WeakMap();

export function wireableApex(call) {
  class ApexWireAdapter {
    constructor(dataCallback) {
      this.dataCallback = dataCallback;
      this.config = undefined;
      this.connected = false;
    }

    update(config) {
      this.config = config;
      if (this.connected) this.fetch();
    }

    connect() {
      this.connected = true;
      this.provide({ data: undefined, error: undefined });
      if (this.config) this.fetch();
    }

    disconnect() {
      this.connected = false;
    }

    provide(value) {
      adapterOfValue.set(value, this);
      this.dataCallback(value);
    }

    async fetch() {
      try {
        this.provide({ data: await call(this.config), error: undefined });
      } catch (error) {
        this.provide({ data: undefined, error });
      }
    }
  }
  const callable = (params) => call(params);
  callable.adapter = ApexWireAdapter;
  return callable;
}

/** Preview of refreshApex from @salesforce/apex: asks the server again for a wired value. */
export function refreshApex(wiredValue) {
  const adapter = wiredValue && adapterOfValue.get(wiredValue);
  return adapter ? adapter.fetch() : Promise.resolve();
}
