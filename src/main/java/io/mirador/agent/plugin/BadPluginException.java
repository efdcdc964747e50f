package io.mirador.agent.plugin;

/** Why a jar was not loaded; the message is what the operator reads, after the jar's file name. */
final class BadPluginException extends Exception {

  /** True when the jar was refused only because another plugin holds one of its names: worth a retry when that one goes. */
  final boolean clashWithPlugin;

  BadPluginException(String message) {
    this(message, false);
  }

  BadPluginException(String message, boolean clashWithPlugin) {
    super(message, null, false, false);
    this.clashWithPlugin = clashWithPlugin;
  }
}
