import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../lambdas/core/auth.ts';

describe('identity from token claims', () => {
  it('shows a tidy display name: no control characters, no broken surrogates, at most 150 characters', () => {
    expect(principalFromClaims({ sub: 'u1', name: ' Ada\u0000\u001b[31m Lovelace\u0085 ' }).displayName).toBe('Ada[31m Lovelace');
    expect(principalFromClaims({ sub: 'u1', name: 'a\ud800b' }).displayName).toBe('a\ufffdb');
    expect([...principalFromClaims({ sub: 'u1', name: '😀'.repeat(400) }).displayName]).toHaveLength(150);
    // Falls back through the usual claims, then to the subject.
    expect(principalFromClaims({ sub: 'u1', name: '\u0007', preferred_username: 'ada' }).displayName).toBe('ada');
    expect(principalFromClaims({ sub: 'u1' }).displayName).toBe('u1');
  });

  it('takes a profile photo only when it is an http(s) URL of sane length', () => {
    expect(principalFromClaims({ sub: 'u1', picture: 'https://cdn.example.com/a.jpg' }).profilePhoto).toBe('https://cdn.example.com/a.jpg');
    for (const bad of ['javascript:alert(1)', 'not a url', `https://x.example/${'a'.repeat(2100)}`, 42]) {
      expect(principalFromClaims({ sub: 'u1', picture: bad as string }).profilePhoto).toBeNull();
    }
  });

  it('refuses a token without a usable subject', () => {
    for (const sub of [undefined, '', 'has space', 'x'.repeat(129), 7]) {
      expect(() => principalFromClaims({ sub: sub as string })).toThrow('Token contained no recognizable user identification');
    }
  });
});
