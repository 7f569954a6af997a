//! Settings applied through the App: persisted in the store, cached for browse requests,
//! index settings re-index from the store.

use swingfly_services::app::{App, AppConfig, ARTICLE_AWARE_SORTING_KEY};

#[tokio::test]
async fn display_and_index_settings_persist_and_apply() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(AppConfig::new(dir.path())).await.unwrap();
    assert!(!app.article_aware_sorting(), "off by default");

    app.set_setting(ARTICLE_AWARE_SORTING_KEY, serde_json::json!(true))
        .await
        .unwrap();
    assert!(app.article_aware_sorting());
    app.set_setting("removeProdBy", serde_json::json!(false))
        .await
        .unwrap();
    assert!(!app.index_settings().remove_prod_by);
    drop(app);

    let reopened = App::open(AppConfig::new(dir.path())).await.unwrap();
    assert!(reopened.article_aware_sorting(), "kept across restarts");
    assert!(!reopened.index_settings().remove_prod_by);
}
