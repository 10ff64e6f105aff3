/** Preview binding of @salesforce/apex. */
export { refreshApex } from '../apexWire';
