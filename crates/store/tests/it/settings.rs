use serde_json::json;
use swingfly_store::StoreError;

use crate::support::fresh_store;

#[tokio::test]
async fn settings_round_trip_and_replace() {
    let (_dir, store) = fresh_store().await;
    assert_eq!(store.setting("rootDirs").await.unwrap(), None);

    let roots = json!(["/music", "/home/zoë/Müsik"]);
    let separators = json!([";", "/", " & "]);
    store.set_setting("rootDirs", &roots).await.unwrap();
    store
        .set_setting("artistSeparators", &separators)
        .await
        .unwrap();
    store
        .set_setting("mergeAlbums", &json!(false))
        .await
        .unwrap();
    store
        .set_setting("nested", &json!({"a": {"b": [1, 2.5, null]}}))
        .await
        .unwrap();
    assert_eq!(
        store.setting("rootDirs").await.unwrap(),
        Some(roots.clone())
    );

    store
        .set_setting("mergeAlbums", &json!(true))
        .await
        .unwrap();
    let all = store.all_settings().await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all["rootDirs"], roots);
    assert_eq!(all["artistSeparators"], separators);
    assert_eq!(all["mergeAlbums"], json!(true));
    assert_eq!(all["nested"], json!({"a": {"b": [1, 2.5, null]}}));

    let empty_key = store.set_setting("", &json!(1)).await.unwrap_err();
    assert!(
        matches!(empty_key, StoreError::Invalid { .. }),
        "{empty_key}"
    );
}
