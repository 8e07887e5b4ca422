/**
 * The properties the engine hands every hook and records in state: a resource's inputs, and its outputs
 * (the inputs plus what the backend says). Its own module so that every helper can name it without
 * importing another helper.
 */
export type Inputs = Record<string, unknown>;
