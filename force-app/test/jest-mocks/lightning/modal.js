/**
 * Test double for lightning/modal (sfdx-lwc-jest has none): a plain element with LightningModal's
 * public surface. open() resolves to what a test queued with LightningModal.setNextResult and
 * remembers its arguments; close() records the result.
 */
import { LightningElement, api } from 'lwc';

let nextResult;
let openCalls = [];

export default class LightningModal extends LightningElement {
  @api label;
  @api size;
  @api description;
  @api disableClose;

  static open(config) {
    openCalls.push(config);
    return Promise.resolve(nextResult);
  }

  static setNextResult(result) {
    nextResult = result;
  }

  static get openCalls() {
    return openCalls;
  }

  static reset() {
    nextResult = undefined;
    openCalls = [];
  }

  close(result) {
    this.closedWith = result;
    this.dispatchEvent(new CustomEvent('close', { detail: result }));
  }
}
