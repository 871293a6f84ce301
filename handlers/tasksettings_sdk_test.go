package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sms/v3/model"
)

// The official Go SDK drives the six settings calls of a task against a strict-mode smslab, as
// an agent or Terraform makes them after ShowTask.
func TestTaskSettingsWithOfficialSDK(t *testing.T) {
	cfg := strictConfig()
	cfg.Now = nil // the SDK signs with time.Now
	url, _ := newSDKServer(t, cfg)
	c := newSDKClient(t, url, labAK, labSK)

	t.Run("speed limits", func(t *testing.T) {
		show := func(t *testing.T) []model.SpeedLimitlJson {
			t.Helper()
			resp, err := c.ShowsSpeedLimits(&model.ShowsSpeedLimitsRequest{TaskId: linuxBlockTask})
			if err != nil {
				t.Fatal(err)
			}
			if resp.HttpStatusCode != http.StatusOK || resp.SpeedLimit == nil {
				t.Fatalf("ShowsSpeedLimits: status %d, speed_limit %v", resp.HttpStatusCode, resp.SpeedLimit)
			}
			return *resp.SpeedLimit
		}
		if got := show(t); len(got) != 0 {
			t.Errorf("a new task's windows: %v, want none", got)
		}
		sent := []model.SpeedLimitlJson{
			{Start: "0:00", End: "8:00", Speed: ptr[int32](20)},
			{Start: "8:00", End: "15:00", Speed: ptr[int32](50), OverSpeedThreshold: ptr(20.5)},
			{Start: "15:00", End: "23:59", Speed: ptr[int32](25)},
		}
		resp, err := c.UpdateSpeed(&model.UpdateSpeedRequest{TaskId: linuxBlockTask, Body: &model.SpeedLimit{SpeedLimit: sent}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.HttpStatusCode != http.StatusOK {
			t.Errorf("UpdateSpeed: status %d", resp.HttpStatusCode)
		}
		got := show(t)
		if jsonOf(t, got) != jsonOf(t, sent) {
			t.Errorf("after UpdateSpeed: %s, want %s", jsonOf(t, got), jsonOf(t, sent))
		}
		// The SDK leaves out a nil speed: the window limits to 0.
		if _, err := c.UpdateSpeed(&model.UpdateSpeedRequest{TaskId: linuxBlockTask, Body: &model.SpeedLimit{
			SpeedLimit: []model.SpeedLimitlJson{{Start: "22:00", End: "23:00"}}}}); err != nil {
			t.Fatal(err)
		}
		if got := show(t); len(got) != 1 || got[0].Start != "22:00" || got[0].Speed == nil || *got[0].Speed != 0 {
			t.Errorf("after the second UpdateSpeed: %s", jsonOf(t, got))
		}
		_, err = c.UpdateSpeed(&model.UpdateSpeedRequest{TaskId: linuxBlockTask, Body: &model.SpeedLimit{
			SpeedLimit: []model.SpeedLimitlJson{{Start: "1:00", End: "3:00"}, {Start: "2:00", End: "4:00"}}}})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: speed_limit[1] (2:00-4:00) overlaps speed_limit[0] (1:00-3:00): windows may meet but not overlap")
		_, err = c.ShowsSpeedLimits(&model.ShowsSpeedLimitsRequest{TaskId: missingTask})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9002", "The task does not exist: "+missingTask)
	})

	t.Run("configuration settings", func(t *testing.T) {
		keys := model.GetConfigBodyConfigKeyEnum()
		_, err := c.UploadSpecialConfigurationSetting(&model.UploadSpecialConfigurationSettingRequest{
			TaskId: windowsTask, Body: &model.ConfigurationRequestBody{Configurations: []model.ConfigBody{
				{ConfigKey: keys.MIGRATE_EXCLUDE_DIR, ConfigValue: `D:\\temp`},
				{ConfigKey: keys.NUM_PROCESS_MIGRATE, ConfigValue: "4", ConfigStatus: ptr("set")},
			}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UploadSpecialConfigurationSetting(&model.UploadSpecialConfigurationSettingRequest{
			TaskId: windowsTask, Body: &model.ConfigurationRequestBody{Configurations: []model.ConfigBody{
				{ConfigKey: keys.NUM_PROCESS_MIGRATE, ConfigValue: "8"},
			}}})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.ShowConfigSetting(&model.ShowConfigSettingRequest{TaskId: windowsTask})
		if err != nil {
			t.Fatal(err)
		}
		if *resp.TaskId != windowsTask || resp.MigrateType.Value() != "WINDOWS_MIGRATE_BLOCK" || resp.Configurations == nil {
			t.Fatalf("ShowConfigSetting: %s", jsonOf(t, resp))
		}
		got := *resp.Configurations
		if len(got) != 2 || got[0].ConfigKey != keys.MIGRATE_EXCLUDE_DIR || got[0].ConfigValue != `D:\\temp` ||
			got[1].ConfigKey != keys.NUM_PROCESS_MIGRATE || got[1].ConfigValue != "8" || got[1].ConfigStatus != nil {
			t.Errorf("ShowConfigSetting: %s", jsonOf(t, got))
		}
		resp, err = c.ShowConfigSetting(&model.ShowConfigSettingRequest{TaskId: windowsTask, ConfigKey: ptr("MIGRATE_EXCLUDE_DIR")})
		if err != nil {
			t.Fatal(err)
		}
		if got := *resp.Configurations; len(got) != 1 || got[0].ConfigKey != keys.MIGRATE_EXCLUDE_DIR {
			t.Errorf("ShowConfigSetting config_key=MIGRATE_EXCLUDE_DIR: %s", jsonOf(t, got))
		}
		_, err = c.ShowConfigSetting(&model.ShowConfigSettingRequest{TaskId: windowsTask, ConfigKey: ptr("EXCLUDE_MIGRATE_PATH")})
		wantServiceError(t, err, http.StatusBadRequest, "SMS.9001",
			"Invalid parameter: config_key must be one of the 17 documented values: MIGRATE_EXCLUDE_DIR, SYNC_EXCLUDE_DIR, ONLY_SYNC_DIR, CONSISTENCY_DIR, CONSISTENCY_DIR_ILLEGAL, LINUX_BLOCK_COMPRESS_THREAD_NUM, MIGRATE_DST_IP, LINUX_BLOCK_CACHE_SIZE and 9 more")
	})

	t.Run("passphrase and certificates", func(t *testing.T) {
		pass, err := c.ShowPassphrase(&model.ShowPassphraseRequest{TaskId: linuxFileTask})
		if err != nil {
			t.Fatal(err)
		}
		if *pass.TaskId != linuxFileTask || pass.Passphrase == nil || len(*pass.Passphrase) != 26 {
			t.Fatalf("ShowPassphrase: %s", jsonOf(t, pass))
		}
		again, err := c.ShowPassphrase(&model.ShowPassphraseRequest{TaskId: linuxFileTask})
		if err != nil {
			t.Fatal(err)
		}
		if *again.Passphrase != *pass.Passphrase {
			t.Error("the passphrase changed between two calls")
		}
		keys, err := c.ShowCertKey(&model.ShowCertKeyRequest{TaskId: linuxFileTask, EnableCaCert: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		for name, pem := range map[string]*string{
			"cert": keys.Cert, "ca": keys.Ca, "target_mgmt_cert": keys.TargetMgmtCert, "target_data_cert": keys.TargetDataCert,
		} {
			if pem == nil || !strings.HasPrefix(*pem, "-----BEGIN CERTIFICATE-----\n") {
				t.Errorf("%s: %v", name, pem)
			}
		}
		for name, pem := range map[string]*string{
			"private_key": keys.PrivateKey, "target_mgmt_private_key": keys.TargetMgmtPrivateKey, "target_data_private_key": keys.TargetDataPrivateKey,
		} {
			if pem == nil || !strings.HasPrefix(*pem, "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("%s: %v", name, pem)
			}
		}
		noCA, err := c.ShowCertKey(&model.ShowCertKeyRequest{TaskId: linuxFileTask})
		if err != nil {
			t.Fatal(err)
		}
		if noCA.Ca != nil || *noCA.Cert != *keys.Cert || *noCA.PrivateKey != *keys.PrivateKey {
			t.Errorf("without enable_ca_cert: ca %v, or other material", noCA.Ca)
		}
		_, err = c.ShowPassphrase(&model.ShowPassphraseRequest{TaskId: missingTask})
		wantServiceError(t, err, http.StatusNotFound, "SMS.9002", "The task does not exist: "+missingTask)
	})
}
