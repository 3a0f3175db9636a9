import type { Principal } from '../core/auth.ts';
import type { UserDto } from './dto-schemas.ts';

/** The author snapshot kept on posts and comments, taken from the writer's token claims. */
export interface Author {
  id: string;
  displayName: string;
  profilePhoto: string | null;
}

export function authorOf(principal: Principal): Author {
  return { id: principal.id, displayName: principal.displayName, profilePhoto: principal.profilePhoto };
}

export function userDto(author: Author): UserDto {
  return { id: author.id, display_name: author.displayName, profile_photo: author.profilePhoto };
}

/** Owner-or-admin, the rule for every edit and delete in the spec. */
export function mayModify(principal: Principal, owner: Author): boolean {
  return principal.isAdmin || principal.id === owner.id;
}
