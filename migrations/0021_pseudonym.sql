-- A name the service user chose to be known by, kept instead of contact details when they do
-- not consent to those (nsh-2015 allows pseudonyms and full anonymity). On this desktop, inside
-- the encrypted store; subject access finds conversations by it.
ALTER TABLE conversations ADD COLUMN pseudonym TEXT;
