/**
 * Test double for lightning/modal (sfdx-lwc-jest has none): a plain element with LightningModal's
 * public surface. open() resolves to what a test queued with LightningModal.setNextResult and
 * remembers its arguments. close(result) does what lightning-base-components' LightningModal.close
 * does: nothing while disableClose is set; otherwise it fires the bubbling `privateclose` event the
 * modal container listens for and hands over the result (here recorded in LightningModal.closeCalls).
 */
import { LightningElement, api } from 'lwc';

let nextResult;
let openCalls = [];
let closeCalls = [];

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

  static get closeCalls() {
    return closeCalls;
  }

  static reset() {
    nextResult = undefined;
    openCalls = [];
    closeCalls = [];
  }

  @api
  close(result) {
    if (this.disableClose) return;
    closeCalls.push(result);
    this.dispatchEvent(new CustomEvent('privateclose', { bubbles: true, detail: { resolve: () => {} } }));
  }
}
