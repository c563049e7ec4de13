;;; codemode.el --- codemode's language server for agent scripts, through eglot  -*- lexical-binding: t; -*-

;; Agent scripts (`*.mcp.ts') get `codemode-script-mode', a TypeScript mode of their own, so
;; eglot starts `codemode lsp' for them and not the TypeScript server (which knows neither the
;; MCP namespaces nor a script's top-level await).  Load this file (or copy it into your init),
;; then M-x eglot in a script, or let `eglot-ensure' start it:
;;
;;   (load "/path/to/codemode/editors/emacs/codemode.el")
;;   (add-hook 'codemode-script-mode-hook #'eglot-ensure)
;;
;; `.ts' files under the configuration's `codemode.scripts' folders: add them to
;; `auto-mode-alist', e.g. (add-to-list 'auto-mode-alist '("/agents/.*\\.ts\\'" . codemode-script-mode)).
;; ▶ Run is the server's code lens; eglot has no code lenses, so run with M-x codemode-run,
;; which executes the server's `codemode.run' command and shows its report.

;;; Code:

(require 'eglot)
(require 'json)

(define-derived-mode codemode-script-mode
  (if (and (fboundp 'typescript-ts-mode) (treesit-language-available-p 'typescript))
      'typescript-ts-mode
    'js-mode)
  "codemode"
  "Major mode for codemode agent scripts (TypeScript run against MCP servers).")

(add-to-list 'auto-mode-alist '("\\.mcp\\.ts\\'" . codemode-script-mode))
(add-to-list 'eglot-server-programs '(codemode-script-mode . ("codemode" "lsp")))

(defun codemode-run ()
  "Check and run this agent script through codemode; show its report."
  (interactive)
  (let* ((server (eglot--current-server-or-lose))
         (report (jsonrpc-request server :workspace/executeCommand
                                  `(:command "codemode.run"
                                    :arguments [,(funcall (if (fboundp 'eglot-path-to-uri)
                                                               'eglot-path-to-uri
                                                             'eglot--path-to-uri)
                                                           (buffer-file-name))]))))
    (with-current-buffer (get-buffer-create "*codemode run*")
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (json-encode report))
        (json-pretty-print-buffer))
      (special-mode)
      (display-buffer (current-buffer)))))

(provide 'codemode)
;;; codemode.el ends here
