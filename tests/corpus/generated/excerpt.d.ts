/** MCP server `filesystem`: 14 tools. */
declare namespace filesystem {
  /** Make line-based edits to a text file. Each edit replaces exact line sequences with new content. Returns a git-style diff showing the changes made. Only works within allowed directories. · destructive */ function editFile(input: {
    path: string;
    edits: {
      /** Text to search for - must match exactly */ oldText: string;
      /** Text to replace with */ newText: string;
    }[];
    /** Preview changes using git-style diff format @default false */ dryRun?: boolean;
  }): Promise<EditFileOutput>;

  interface EditFileOutput {
    content: string;
  }

  /** Get a detailed listing of all files and directories in a specified path, including sizes. Results clearly distinguish between files and directories with [FILE] and [DIR] prefixes. This tool is useful for understanding directory structure and finding specific files within a directory. Only works within allowed directories. · read-only */ function listDirectoryWithSizes(input: { path: string; /** Sort entries by name or size @default "name" */ sortBy?: "name" | "size" }): Promise<ListDirectoryWithSizesOutput>;

  interface ListDirectoryWithSizesOutput {
    content: string;
  }
}
