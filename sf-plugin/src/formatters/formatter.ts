/**
 * Human output, kept out of the command classes (as plugin-deploy-retrieve's src/formatters/):
 * a formatter takes a command's result and writes it to the command's own log and table, so
 * --json prints the result untouched and the stubbed ux of the tests sees every line.
 */
import type { SfCommand } from '@salesforce/sf-plugins-core';

export type CommandOutput = Pick<SfCommand<unknown>, 'log' | 'table' | 'warn'>;

export type Formatter = { display(out: CommandOutput): void };
