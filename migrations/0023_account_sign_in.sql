-- How an account signs in: NULL for a password; for OAuth 2.0, the provider's issuer, the
-- helpline's app registration (client id) and the scopes, as JSON. The secret itself (the
-- password, or the refresh token) is in the OS keyring only.
ALTER TABLE accounts ADD COLUMN sign_in TEXT;
