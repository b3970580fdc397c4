export const READER = Symbol('CONSOLE_READER');
export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
