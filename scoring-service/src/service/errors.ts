/**
 * What the service's use cases and serving set refuse, by name. They know nothing of HTTP:
 * http/problems.ts is the one place that maps each of these to a status and a problem body.
 * The message is the detail a caller sees: it names what is wrong and what to do, and never
 * carries input values.
 */

/** One failing place in a request, as the caller wrote it: records[3].inputs.industry. */
export interface Issue {
  path: string;
  message: string;
}

export abstract class ServiceError extends Error {
  constructor(
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The model, version or alias named in the request is not served. */
export class ModelNotServed extends ServiceError {}

/** The request is well-formed JSON of the right shape but asks for something that cannot be done (no such tensor, wrong kind of model). */
export class RequestRefused extends ServiceError {}

/** Record inputs do not fit the model's manifest (unknown input, wrong type, value not allowed). */
export class InputsInvalid extends ServiceError {}

/** More records or rows than one call may carry. */
export class BatchTooLarge extends ServiceError {}

/** A reload found the registry unreadable, or refused some versions; the serving set says what still serves. */
export class ReloadRefused extends ServiceError {}

/** A package that was asked for does not verify (checksum, MODELS_DIR, package checks). */
export class PackageRefused extends ServiceError {}

/** A package path that is absolute, climbs with "..", or leads outside MODELS_DIR. */
export class PackagePathRefused extends ServiceError {}

/** No package folder at the path asked for. */
export class PackageNotFound extends ServiceError {}

/** Retiring the champion while other versions serve would leave the model without one. */
export class RetireRefused extends ServiceError {}

/**
 * A count model's rollout change that cannot apply to what is served: not a count model, a canary
 * without the manifest's rollout key, the challenger the champion, no registry to keep it in.
 */
export class RolloutRefused extends ServiceError {}
