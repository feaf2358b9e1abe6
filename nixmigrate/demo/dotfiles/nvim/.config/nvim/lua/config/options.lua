-- Options are automatically loaded before lazy.nvim startup
local opt = vim.opt
opt.relativenumber = true
opt.scrolloff = 8
opt.wrap = false
opt.clipboard = "unnamedplus"
