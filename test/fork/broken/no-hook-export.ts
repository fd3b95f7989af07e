/** A module that a fork registered by mistake: it exports no `hook`. */
export const notAHook = { name: 'nothing' };
