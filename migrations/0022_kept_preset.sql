-- The policy this store runs by, when it is not one this build ships (a helpline's adapted
-- preset, read from its policy folder at first run): kept with the store, so every process that
-- opens it (the app, `confide retention run` from a timer, a benchmark) applies the same
-- periods, whatever presets that process was started with. NULL: the shipped preset of its id.
ALTER TABLE staff_profile ADD COLUMN preset_toml TEXT;
