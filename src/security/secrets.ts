/**
 * Encrypts secrets at rest (SMTP and calendar passwords, OAuth tokens) with AES-256-GCM.
 * The key comes from ORDO_SECRET_KEY or, for a single server, from `<dataDir>/secret.key`,
 * created on first start and readable by its owner only. Several servers sharing one
 * PostgreSQL database must share the key through ORDO_SECRET_KEY.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OrdoError } from '../shared/errors.js';

const PREFIX = 'v1:';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) {
    throw new OrdoError('SECRET_KEY_MISSING', { message: 'The secret key must be 32 bytes' });
  }
  return {
    seal(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new OrdoError('SECRET_UNREADABLE');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString();
      } catch (cause) {
        throw new OrdoError('SECRET_UNREADABLE', { cause });
      }
    },
  };
}

/** The configured key, or the data folder's own, created once. */
export function loadSecretKey(options: { secretKey?: string; dataDir: string }): Buffer {
  if (options.secretKey) return decodeKey(options.secretKey);

  const file = path.join(options.dataDir, 'secret.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (error) {
      // Another process created it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return decodeKey(fs.readFileSync(file, 'utf8').trim());
}

function decodeKey(text: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new OrdoError('SECRET_KEY_MISSING', {
      message: 'The secret key must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    });
  }
  return key;
}
