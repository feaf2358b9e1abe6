# ~/.zshrc
export EDITOR=nvim
export PAGER=less

HISTFILE=~/.zsh_history
HISTSIZE=50000
SAVEHIST=50000
setopt share_history hist_ignore_dups

autoload -Uz compinit && compinit

alias ls='eza --group-directories-first'
alias cat='bat --paging=never'
alias vim=nvim
alias g=git

eval "$(starship init zsh)"
eval "$(zoxide init zsh)"
eval "$(fzf --zsh)"
