-- Keymaps are automatically loaded on the VeryLazy event
local map = vim.keymap.set
map("n", "<leader>w", "<cmd>w<cr>", { desc = "Save file" })
map("i", "jk", "<esc>", { desc = "Leave insert mode" })
