-- bootstrap lazy.nvim, LazyVim and your plugins
require("config.lazy")
