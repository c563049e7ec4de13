//! MCP content blocks a run passes on. An image, audio clip, resource or resource link a
//! script returns or logs (one a tool sent, or one it built) leaves the run as a block of
//! its own, for a client to show as what it is; in the result or the log line a short
//! placeholder names it (`"[image/png image, 5.3 kB: content block 1]"`), so no base64 rides
//! along as text. Text blocks stay where they are: they are text already.
//!
//! Plain data, shared by the engine (logs) and the runtime (the result).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::view;

/// A content block passed on from a run, as MCP writes it on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    #[serde(rename_all = "camelCase")]
    Image { data: String, mime_type: String },
    #[serde(rename_all = "camelCase")]
    Audio { data: String, mime_type: String },
    /// An embedded resource: `resource` holds `uri`, `mimeType` and `text` or `blob`.
    Resource { resource: EmbeddedResource },
    #[serde(rename_all = "camelCase")]
    ResourceLink {
        uri: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
    },
}

/// The contents of an embedded resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedResource {
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
}

impl ContentBlock {
    /// Bytes the block carries (base64 or text as sent).
    pub fn bytes(&self) -> usize {
        match self {
            ContentBlock::Image { data, .. } | ContentBlock::Audio { data, .. } => data.len(),
            ContentBlock::Resource { resource } => {
                resource.text.as_ref().map_or(0, String::len)
                    + resource.blob.as_ref().map_or(0, String::len)
            }
            ContentBlock::ResourceLink { .. } => 0,
        }
    }

    /// `image`, `audio`, `resource`, `resource link`.
    pub fn kind(&self) -> &'static str {
        match self {
            ContentBlock::Image { .. } => "image",
            ContentBlock::Audio { .. } => "audio",
            ContentBlock::Resource { .. } => "resource",
            ContentBlock::ResourceLink { .. } => "resource link",
        }
    }

    /// `image/png image, 5.3 kB`, `resource link file:///a.txt`.
    pub fn describe(&self) -> String {
        match self {
            ContentBlock::Image { mime_type, .. } | ContentBlock::Audio { mime_type, .. } => {
                format!("{mime_type} {}, {}", self.kind(), view::bytes(self.bytes()))
            }
            ContentBlock::Resource { resource } => {
                format!("resource {}, {}", resource.uri, view::bytes(self.bytes()))
            }
            ContentBlock::ResourceLink { uri, .. } => format!("resource link {uri}"),
        }
    }
}

/// Takes the content blocks (other than text) out of `result`, in document order, each
/// replaced by its placeholder, onto the end of `blocks`.
pub fn extract(result: &mut Value, blocks: &mut Vec<ContentBlock>) {
    take(result, blocks);
}

/// Adds `block` to `blocks`; its placeholder.
pub fn pass_on(block: ContentBlock, blocks: &mut Vec<ContentBlock>) -> String {
    let placeholder = format!("[{}: content block {}]", block.describe(), blocks.len() + 1);
    blocks.push(block);
    placeholder
}

fn take(value: &mut Value, blocks: &mut Vec<ContentBlock>) {
    if let Some(block) = as_block(value) {
        *value = Value::String(pass_on(block, blocks));
        return;
    }
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| take(item, blocks)),
        Value::Object(fields) => fields.values_mut().for_each(|field| take(field, blocks)),
        _ => {}
    }
}

/// `value` as a block to pass on: an object whose `type` is a content type other than text
/// and whose fields are that type's.
pub fn as_block(value: &Value) -> Option<ContentBlock> {
    let kind = value.get("type")?.as_str()?;
    if !matches!(kind, "image" | "audio" | "resource" | "resource_link") {
        return None;
    }
    let block: ContentBlock = serde_json::from_value(value.clone()).ok()?;
    match &block {
        ContentBlock::Resource { resource }
            if resource.text.is_none() && resource.blob.is_none() =>
        {
            None
        }
        _ => Some(block),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_leave_the_result_and_placeholders_stay() {
        let mut result = json!({
            "summary": "one chart",
            "chart": {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"},
            "content": [
                {"type": "text", "text": "stays"},
                {"type": "resource_link", "uri": "test://static/resource/1", "name": "Resource 1"},
                {"type": "resource", "resource": {"uri": "test://a", "blob": "AAAA"}}
            ],
            "notABlock": {"type": "image", "data": 1},
        });
        let mut blocks = Vec::new();
        extract(&mut result, &mut blocks);
        assert_eq!(blocks.len(), 3);
        assert_eq!(
            result,
            json!({
                "summary": "one chart",
                "chart": "[image/png image, 12 B: content block 1]",
                "content": [
                    {"type": "text", "text": "stays"},
                    "[resource link test://static/resource/1: content block 2]",
                    "[resource test://a, 4 B: content block 3]"
                ],
                "notABlock": {"type": "image", "data": 1},
            })
        );
        assert_eq!(
            serde_json::to_value(&blocks[0]).unwrap(),
            json!({"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"})
        );
    }
}
