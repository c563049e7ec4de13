/** The tools of MCP server `filesystem` (14 tools). */
declare namespace filesystem {
  /**
   * Edit File
   *
   * Make line-based edits to a text file. Each edit replaces exact line sequences with new content. Returns a git-style diff showing the changes made. Only works within allowed directories.
   *
   * MCP tool `edit_file` of server `filesystem` · destructive · closed-world
   */
  function editFile(input: EditFileInput): Promise<EditFileOutput>;

  /** The arguments of `edit_file`. */
  interface EditFileInput {
    path: string;
    edits: {
      /** Text to search for - must match exactly */
      oldText: string;
      /** Text to replace with */
      newText: string;
    }[];
    /**
     * Preview changes using git-style diff format
     * @default false
     */
    dryRun?: boolean;
  }

  /** The structured result of `edit_file`. */
  interface EditFileOutput {
    content: string;
  }

  /**
   * List Directory with Sizes
   *
   * Get a detailed listing of all files and directories in a specified path, including sizes. Results clearly distinguish between files and directories with [FILE] and [DIR] prefixes. This tool is useful for understanding directory structure and finding specific files within a directory. Only works within allowed directories.
   *
   * MCP tool `list_directory_with_sizes` of server `filesystem` · read-only · closed-world
   */
  function listDirectoryWithSizes(input: ListDirectoryWithSizesInput): Promise<ListDirectoryWithSizesOutput>;

  /** The arguments of `list_directory_with_sizes`. */
  interface ListDirectoryWithSizesInput {
    path: string;
    /**
     * Sort entries by name or size
     * @default "name"
     */
    sortBy?: "name" | "size";
  }

  /** The structured result of `list_directory_with_sizes`. */
  interface ListDirectoryWithSizesOutput {
    content: string;
  }
}
