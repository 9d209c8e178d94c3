//! Breakdowns, splits and priority tiers in the app: IPC requests and thin commands over
//! `segment-service::audience`, the same calls as the CLI's `breakdown`, `split` and `tiers`.
//! Groups and tiers are kept as static segments of the library (`Store::freeze`).

use segment_model::Segment;
use segment_service::audience::{
    Breakdown, BreakdownOptions, Dimension, SplitRequest, SplitResult, Tiers,
};
use segment_service::{CheckedSegment, Prefer};
use segment_source::CancelToken;
use segment_store::{CountInput, MembersOutcome};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State};
use ts_rs::TS;

use crate::commands::blocking;
use crate::ipc::{AppError, ErrorKind};
use crate::library::with_library;
use crate::references::Library;
use crate::state::{rfc3339, AppState, Loaded};

/// The builder's segment broken down by one dimension.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct BreakdownRequest {
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
    pub dimension: Dimension,
    #[serde(default)]
    pub options: BreakdownOptions,
}

/// The builder's segment split into groups.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct SplitCommand {
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
    pub split: SplitRequest,
    /// To keep each group as a static segment `<prefix>_<group>`: the library id of the saved
    /// segment the groups come from.
    #[serde(default)]
    pub source_id: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
}

/// Library segments as priority tiers, highest first.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct TiersRequest {
    pub ids: Vec<String>,
    #[serde(default)]
    pub now: Option<String>,
    /// To keep each tier as a static segment `<prefix>_<tier id>`.
    #[serde(default)]
    pub prefix: Option<String>,
}

/// A static segment made from a group or a tier.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeptSegment {
    pub id: String,
    #[ts(type = "number")]
    pub count: u64,
}

fn checked(
    loaded: &Loaded,
    segment: &serde_json::Value,
    entity: Option<&str>,
    now: Option<&str>,
    library: &Library,
) -> Result<CheckedSegment, AppError> {
    let now = segment_service::resolve_now(now, loaded.default_now())?;
    let gather = |s: &Segment| library.gather(s);
    CheckedSegment::from_json_in(
        segment.clone(),
        loaded.service.schema(),
        entity,
        now,
        gather,
    )
    .map_err(|problems| segment_service::Error::Invalid(problems).into())
}

/// A file or segment id part from a name: lowercase letters, digits and `_`.
pub fn slug(name: &str) -> String {
    let mut s: String = name
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert(0, 'g');
    }
    s
}

fn count_input(loaded: &Loaded, checked: &CheckedSegment, n: usize) -> CountInput {
    CountInput {
        count: n as u64,
        total: loaded
            .service
            .backend()
            .total(&checked.query.entity.name)
            .ok(),
        data_source: Some(loaded.info.path.clone()),
        as_of: rfc3339(checked.now.timestamp()),
    }
}

/// Every member list with its new id, source id, name and count input.
type Freezes = Vec<(String, String, String, Vec<String>, CountInput)>;

async fn freeze_all<R: Runtime>(
    app: &tauri::AppHandle<R>,
    freezes: Freezes,
) -> Result<Vec<KeptSegment>, AppError> {
    with_library(app, move |store| {
        let mut kept = Vec::new();
        for (new_id, source, name, members, input) in freezes {
            let MembersOutcome {
                individual_count, ..
            } = store.freeze(&source, &new_id, Some(&name), &members, &input)?;
            kept.push(KeptSegment {
                id: new_id,
                count: individual_count,
            });
        }
        Ok(kept)
    })
    .await
}

/// The members by one attribute or related aggregate, with shares and lifts. A newer
/// breakdown, or the count's Cancel, stops this one (`cancelled`).
#[tauri::command]
pub async fn audience_breakdown<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: BreakdownRequest,
) -> Result<Breakdown, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    let token = state.begin_breakdown();
    blocking(move || {
        let loaded = state.loaded()?;
        let entity = request.entity.as_deref();
        let checked = checked(
            &loaded,
            &request.segment,
            entity,
            request.now.as_deref(),
            &library,
        )?;
        Ok(loaded.service.breakdown(
            &checked,
            &request.dimension,
            &request.options,
            Prefer::Engine,
            &token,
        )?)
    })
    .await
}

/// Group counts and balance of a split of the builder's segment.
#[tauri::command]
pub async fn audience_split<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: SplitCommand,
) -> Result<SplitResult, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || {
        let loaded = state.loaded()?;
        let entity = request.entity.as_deref();
        let checked = checked(
            &loaded,
            &request.segment,
            entity,
            request.now.as_deref(),
            &library,
        )?;
        Ok(loaded.service.split(
            &checked,
            &request.split,
            Prefer::Engine,
            &CancelToken::new(),
        )?)
    })
    .await
}

/// Keeps each group of a split as a static segment `<prefix>_<group>` of the library.
#[tauri::command]
pub async fn audience_split_keep<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: SplitCommand,
) -> Result<Vec<KeptSegment>, AppError> {
    let (Some(source), Some(prefix)) = (request.source_id.clone(), request.prefix.clone()) else {
        return Err(AppError::new(
            ErrorKind::InvalidRequest,
            "save the segment first: each group is kept as a static segment made from it",
        ));
    };
    let state = state.inner().clone();
    let library = Library::of(&app);
    let freezes = blocking(move || {
        let loaded = state.loaded()?;
        let entity = request.entity.as_deref();
        let checked = checked(
            &loaded,
            &request.segment,
            entity,
            request.now.as_deref(),
            &library,
        )?;
        let lists = loaded.service.split_members(
            &checked,
            &request.split,
            Prefer::Engine,
            &CancelToken::new(),
        )?;
        Ok(request
            .split
            .groups
            .iter()
            .zip(lists)
            .map(|(group, members)| {
                let input = count_input(&loaded, &checked, members.len());
                let id = format!("{}_{}", slug(&prefix), slug(&group.name));
                let name = format!("{source}: {} ({}%)", group.name, group.percent);
                (id, source.clone(), name, members, input)
            })
            .collect::<Freezes>())
    })
    .await?;
    freeze_all(&app, freezes).await
}

/// The library segments `ids` checked on the open data, with their ids as names.
async fn tiers_of<R: Runtime>(
    app: &tauri::AppHandle<R>,
    ids: &[String],
) -> Result<Vec<segment_store::SegmentRecord>, AppError> {
    let ids = ids.to_vec();
    with_library(app, move |store| {
        ids.iter().map(|id| store.get(id)).collect()
    })
    .await
}

fn checked_tiers(
    loaded: &Loaded,
    records: &[segment_store::SegmentRecord],
    now: Option<&str>,
    library: &Library,
) -> Result<Vec<(String, CheckedSegment)>, AppError> {
    records
        .iter()
        .map(|record| {
            let definition = record.definition.clone().ok_or_else(|| {
                AppError::new(
                    ErrorKind::Invalid,
                    format!("segment {:?} has no definition to evaluate", record.id),
                )
            })?;
            let value = serde_json::to_value(&definition)
                .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
            let checked = checked(loaded, &value, record.entity.as_deref(), now, library)?;
            Ok((record.id.clone(), checked))
        })
        .collect()
}

/// Counts of a waterfall of library segments: what each keeps and lost to those above.
#[tauri::command]
pub async fn audience_tiers<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: TiersRequest,
) -> Result<Tiers, AppError> {
    let records = tiers_of(&app, &request.ids).await?;
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || {
        let loaded = state.loaded()?;
        let tiers = checked_tiers(&loaded, &records, request.now.as_deref(), &library)?;
        Ok(loaded
            .service
            .tiers(&tiers, Prefer::Engine, &CancelToken::new())?)
    })
    .await
}

/// Keeps each tier's records as a static segment `<prefix>_<tier id>`.
#[tauri::command]
pub async fn audience_tiers_keep<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: TiersRequest,
) -> Result<Vec<KeptSegment>, AppError> {
    let prefix = request.prefix.clone().unwrap_or_else(|| "tier".into());
    let records = tiers_of(&app, &request.ids).await?;
    let state = state.inner().clone();
    let library = Library::of(&app);
    let freezes = blocking(move || {
        let loaded = state.loaded()?;
        let tiers = checked_tiers(&loaded, &records, request.now.as_deref(), &library)?;
        let lists = loaded
            .service
            .tier_members(&tiers, Prefer::Engine, &CancelToken::new())?;
        Ok(tiers
            .iter()
            .zip(lists)
            .enumerate()
            .map(|(i, ((id, checked), members))| {
                let input = count_input(&loaded, checked, members.len());
                let new_id = format!("{}_{}", slug(&prefix), slug(id));
                let name = format!("Tier {} of {}: {id}", i + 1, tiers.len());
                (new_id, id.clone(), name, members, input)
            })
            .collect::<Freezes>())
    })
    .await?;
    freeze_all(&app, freezes).await
}
