package arca.rest.module;

import java.util.List;

/**
 * A module that brings further modules of its service, each under its own prefix (the token service: OAuth2 under
 * /oidc/, access keys under /a/access-keys).
 */
public interface WithParts {
  List<RestModule> parts();
}
