// Who is signed in, shared by the shell and the screens.
import type { Permission, SessionInfo } from './types';

class SessionStore {
  current = $state<SessionInfo | null>(null);

  can(p: Permission): boolean {
    return this.current?.permissions.includes(p) ?? false;
  }
}

export const session = new SessionStore();
