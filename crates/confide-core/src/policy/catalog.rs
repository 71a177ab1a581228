//! The presets a process can choose from: the ones this build ships, a helpline's own from its
//! policy folder, and the one a store keeps (`store::kept_policy`).

use std::path::Path;

use super::{PolicyError, Preset};

/// The presets this build ships, from `policies/`.
pub(super) const BUILTIN: &[(&str, &str)] = &[
    ("nsh-2015.toml", include_str!("../../../../policies/nsh-2015.toml")),
    ("respect-early.toml", include_str!("../../../../policies/respect-early.toml")),
    ("respect-mal-a.toml", include_str!("../../../../policies/respect-mal-a.toml")),
    ("respect-mal-current.toml", include_str!("../../../../policies/respect-mal-current.toml")),
    ("acevo.toml", include_str!("../../../../policies/acevo.toml")),
];

/// The presets a desktop can choose from.
#[derive(Debug, Clone)]
pub struct Catalog {
    presets: Vec<Preset>,
    /// The text of each preset this build does not ship (a helpline's own, from its policy
    /// folder, or one kept with a store), by id: what a store keeps to run by it everywhere.
    adapted: std::collections::HashMap<String, String>,
}

impl Catalog {
    pub fn builtin() -> Catalog {
        let presets = BUILTIN
            .iter()
            .map(|(file, text)| Preset::parse(file, text).unwrap_or_else(|e| panic!("shipped preset is invalid: {e}")))
            .collect();
        Catalog { presets, adapted: Default::default() }
    }

    /// Every `*.toml` in `dir`: a helpline's own presets, replacing the shipped ones.
    pub fn from_dir(dir: &Path) -> Result<Catalog, PolicyError> {
        let read_err =
            |e: std::io::Error| PolicyError::Read { file: dir.display().to_string(), message: e.to_string() };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut catalog = Catalog { presets: vec![], adapted: Default::default() };
        for path in files {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| PolicyError::Read { file: file.clone(), message: e.to_string() })?;
            catalog.keep(&file, &text)?;
        }
        Ok(catalog)
    }

    /// The presets the app offers at first run: the helpline's own from `CONFIDE_POLICY_DIR`
    /// if it names a folder, else the shipped ones. Once a store is set up it runs by the
    /// preset it keeps, whatever this offers ([`crate::Store::open`]).
    pub fn offered() -> Result<Catalog, PolicyError> {
        match std::env::var_os("CONFIDE_POLICY_DIR") {
            Some(dir) => Catalog::from_dir(Path::new(&dir)),
            None => Ok(Catalog::builtin()),
        }
    }

    /// Adds (or replaces, by id) a preset from its text, remembered as one this build does not
    /// ship.
    pub fn keep(&mut self, file: &str, text: &str) -> Result<&Preset, PolicyError> {
        let preset = Preset::parse(file, text)?;
        self.adapted.insert(preset.id.clone(), text.to_owned());
        let at = match self.presets.iter().position(|p| p.id == preset.id) {
            Some(i) => {
                self.presets[i] = preset;
                i
            }
            None => {
                self.presets.push(preset);
                self.presets.len() - 1
            }
        };
        Ok(&self.presets[at])
    }

    /// The text of preset `id` if it is not one this build ships.
    pub fn adapted_text(&self, id: &str) -> Option<&str> {
        self.adapted.get(id).map(String::as_str)
    }

    pub fn presets(&self) -> &[Preset] {
        &self.presets
    }

    pub fn get(&self, id: &str) -> Result<&Preset, PolicyError> {
        self.presets.iter().find(|p| p.id == id).ok_or_else(|| PolicyError::Unknown(id.to_owned()))
    }
}

pub fn load_file(path: &Path) -> Result<Preset, PolicyError> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| PolicyError::Read { file: file.clone(), message: e.to_string() })?;
    Preset::parse(&file, &text)
}
