package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"smslab/db"
	"smslab/sms"
)

// The small calls on a task's own settings (docs/api.md#task-settings). Their answers hold
// secrets (passphrase, private keys): the request log never holds bodies.

// showsSpeedLimits serves GET /v3/tasks/{task_id}/speed-limit (ShowsSpeedLimits).
func showsSpeedLimits(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := settingsTaskID(c)
		if err != nil {
			return err
		}
		windows, err := store.SpeedLimits(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, sms.ShowsSpeedLimitsResponse{SpeedLimit: windows})
	}
}

// updateSpeed serves POST /v3/tasks/{task_id}/speed-limit (UpdateSpeed): the windows given
// replace the task's.
func updateSpeed(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		req, err := dec.DecodeUpdateSpeed(requestBody(c))
		if err != nil {
			return err
		}
		if err := store.SetSpeedLimits(c.Request().Context(), id, req.SpeedLimit); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// showConfigSetting serves GET /v3/tasks/{task_id}/configuration-setting (ShowConfigSetting).
func showConfigSetting(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		key, err := dec.DecodeConfigSettingQuery(c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		resp, err := store.ConfigSettings(c.Request().Context(), id, key)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, resp)
	}
}

// uploadSpecialConfigurationSetting serves POST /v3/tasks/{task_id}/configuration-setting
// (UploadSpecialConfigurationSetting): each option given replaces the task's of its key.
func uploadSpecialConfigurationSetting(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		req, err := dec.DecodeConfigurations(requestBody(c))
		if err != nil {
			return err
		}
		if err := store.MergeConfigSettings(c.Request().Context(), id, req.Configurations); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, emptyObject)
	}
}

// showPassphrase serves GET /v3/tasks/{task_id}/passphrase (ShowPassphrase).
func showPassphrase(store *db.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := settingsTaskID(c)
		if err != nil {
			return err
		}
		keys, err := store.TaskKeys(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, sms.PassphraseResponse{TaskID: id, Passphrase: keys.Passphrase})
	}
}

// showCertKey serves GET /v3/tasks/{task_id}/certkey (ShowCertKey).
func showCertKey(store *db.Store, dec *sms.Decoder) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := taskID(c)
		if err != nil {
			return err
		}
		enableCA, err := dec.DecodeCertKeyQuery(c.Request().URL.RawQuery)
		if err != nil {
			return err
		}
		keys, err := store.TaskKeys(c.Request().Context(), id)
		if err != nil {
			return err
		}
		resp := sms.CertKeyResponse{
			Cert: keys.Cert, PrivateKey: keys.PrivateKey,
			TargetMgmtCert: keys.TargetMgmtCert, TargetMgmtPrivateKey: keys.TargetMgmtPrivateKey,
			TargetDataCert: keys.TargetDataCert, TargetDataPrivateKey: keys.TargetDataPrivateKey,
		}
		if enableCA {
			resp.CA = &keys.Ca
		}
		return writeJSON(c, http.StatusOK, resp)
	}
}

// settingsTaskID is the task_id of a settings call that takes no query parameter.
func settingsTaskID(c echo.Context) (string, error) {
	id, err := taskID(c)
	if err != nil {
		return "", err
	}
	return id, noQuery(c)
}
